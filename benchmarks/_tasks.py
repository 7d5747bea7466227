"""The real tasks shared by ``bench_real.py`` and ``bench_parallel.py``:
estimators, search spaces (skbayes dimensions) and data shipped with
scikit-learn (75 % train / 25 % test, stratified, fixed split)."""

from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skbayes.space import Categorical, Integer, Real


def tasks():
    """name -> (loader, estimator, space, scoring)."""
    return {
        "svc": (load_digits, SVC(), {
            "C": Real(1e-2, 1e3, prior="log-uniform"),
            "gamma": Real(1e-5, 1e-1, prior="log-uniform"),
            "kernel": Categorical(["rbf", "poly", "sigmoid"]),
        }, "accuracy"),
        "hgb": (load_breast_cancer,
                HistGradientBoostingClassifier(max_iter=50, early_stopping=False, random_state=0), {
                    "learning_rate": Real(0.01, 1.0, prior="log-uniform"),
                    "max_leaf_nodes": Integer(4, 64, prior="log-uniform"),
                    "min_samples_leaf": Integer(2, 64, prior="log-uniform"),
                    "l2_regularization": Real(1e-4, 10.0, prior="log-uniform"),
                }, "neg_log_loss"),
        "sgd": (load_digits, make_pipeline(StandardScaler(), SGDClassifier(random_state=0)), {
            "sgdclassifier__alpha": Real(1e-7, 1e-1, prior="log-uniform"),
            "sgdclassifier__penalty": Categorical(["l2", "l1", "elasticnet"]),
            "sgdclassifier__learning_rate": Categorical(
                ["optimal", "invscaling", "adaptive", "constant"]),
            "sgdclassifier__eta0": Real(1e-4, 1.0, prior="log-uniform"),
        }, "accuracy"),
        "mlp": (load_digits,
                make_pipeline(StandardScaler(), MLPClassifier(max_iter=40, random_state=0)), {
                    "mlpclassifier__hidden_layer_sizes": Categorical(
                        [(32,), (64,), (128,), (32, 32), (64, 32)]),
                    "mlpclassifier__alpha": Real(1e-6, 1e-1, prior="log-uniform"),
                    "mlpclassifier__learning_rate_init": Real(1e-4, 1e-1, prior="log-uniform"),
                }, "accuracy"),
    }


def load(loader, max_train):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    if max_train and len(Xtr) > max_train:
        Xtr, _, ytr, _ = train_test_split(Xtr, ytr, train_size=max_train, stratify=ytr,
                                          random_state=0)
    return Xtr, Xte, ytr, yte
