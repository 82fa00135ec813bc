"""Order of the examples in the gallery: the order of the course.

sphinx-gallery sorts the examples of a section with a key class given by its
fully qualified name (``within_subsection_order`` in ``doc/conf.py``).
"""

# Building the network, training it, tuning it, evaluating it; then the
# benchmark against the MNIST-1D paper, and the recipes on real tables:
# classification, then regression. Examples not listed come last, in
# alphabetical order.
COURSE_ORDER = [
    "plot_activation_functions.py",
    "plot_weight_initialization.py",
    "plot_batchnorm_dropout.py",
    "plot_optimizers.py",
    "plot_learning_rate_babysitting.py",
    "plot_softmax_vs_svm.py",
    "plot_random_vs_grid_search.py",
    "plot_coarse_to_fine.py",
    "plot_dask_search.py",
    "plot_voting_ensemble.py",
    "plot_mnist1d.py",
    "plot_real_tables.py",
    "plot_regression.py",
]


class CourseOrder:
    """Sort key placing the examples in the order of ``COURSE_ORDER``.

    Parameters
    ----------
    src_dir : str
        The gallery's source directory (required by sphinx-gallery, unused).
    """

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        """Return the sort key of ``filename``.

        Parameters
        ----------
        filename : str
            Name of an example file.

        Returns
        -------
        key : tuple of (int, str)
            Position in the course, then the file name.
        """
        if filename in COURSE_ORDER:
            return (COURSE_ORDER.index(filename), filename)
        return (len(COURSE_ORDER), filename)

    def __repr__(self):
        # sphinx-gallery caches on the repr of the sort key
        return f"<{type(self).__name__}: {', '.join(COURSE_ORDER)}>"
