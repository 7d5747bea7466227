"""
Regularization strength and learning-rate schedules
===================================================

Stochastic-gradient models have a regularization strength that spans orders
of magnitude (``alpha``) and a learning-rate schedule whose initial rate
matters only for some schedules. Log-uniform priors and categorical
schedules express both; the partial dependence and the importance plots
then show which of them matter.
"""

# %%
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbayes import BayesSearchCV, RandomSearch
from skbayes.space import Categorical, Real

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_digits(return_X_y=True)
X, y = X[:700], y[:700]

# %%
# SGD: regularization and schedule
# --------------------------------
sgd = make_pipeline(StandardScaler(), SGDClassifier(max_iter=30, tol=None, random_state=0))
sgd_space = {
    "sgdclassifier__alpha": Real(1e-6, 1e0, prior="log-uniform"),
    "sgdclassifier__learning_rate": Categorical(["optimal", "invscaling", "adaptive"]),
    "sgdclassifier__eta0": Real(1e-4, 1e0, prior="log-uniform"),
}
sgd_search = BayesSearchCV(sgd, sgd_space, n_iter=20, cv=3, n_jobs=2, random_state=0)
sgd_search.fit(X, y)
print(f"SGD: {sgd_search.best_score_:.4f}", sgd_search.best_params_)

# %%
# The predicted score along each hyperparameter (``alpha`` and ``eta0`` on
# log axes, one point per schedule), and how much of the score's variation
# each one explains.
from skbayes.plots import plot_importance, plot_partial_dependence

plot_partial_dependence(sgd_search, pairs=False)

# %%
plot_importance(sgd_search)

# %%
# A small MLP: weight decay and initial learning rate
# ---------------------------------------------------
# A random search of a few candidates is enough to see the same picture for a
# neural network trained with SGD and a schedule.
mlp = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(32,), solver="sgd", max_iter=40, random_state=0),
)
mlp_space = {
    "mlpclassifier__alpha": Real(1e-5, 1e1, prior="log-uniform"),
    "mlpclassifier__learning_rate_init": Real(1e-3, 3e-1, prior="log-uniform"),
    "mlpclassifier__learning_rate": Categorical(["constant", "adaptive"]),
}
mlp_search = RandomSearch(mlp, mlp_space, n_iter=12, cv=3, n_jobs=2, random_state=0)
mlp_search.fit(X, y)
print(f"MLP: {mlp_search.best_score_:.4f}", mlp_search.best_params_)
plot_partial_dependence(mlp_search, surrogate="forest", pairs=False)
