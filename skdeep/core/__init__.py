"""skdeep's network core: pure NumPy (and SciPy), no scikit-learn.

Modules, one concept each: :mod:`.activations`, :mod:`.layers`,
:mod:`.initializers`, :mod:`.losses`, :mod:`.penalties`, :mod:`.optimizers`,
:mod:`.schedules`, :mod:`.network`, :mod:`.objective`, :mod:`.monitor`,
:mod:`.averaging`, :mod:`.training`, :mod:`.lbfgs`, :mod:`.gradient_check`.
"""
