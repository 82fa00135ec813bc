"""skdeep's network core: pure NumPy (and SciPy), no scikit-learn.

Modules, one concept each: :mod:`.activations`, :mod:`.layers`,
:mod:`.initializers`, :mod:`.losses`, :mod:`.penalties`, :mod:`.optimizers`,
:mod:`.schedules`, :mod:`.network`, :mod:`.objective`, :mod:`.monitor`,
:mod:`.averaging`, :mod:`.training` (the epoch loop), :mod:`.run` (the
bookkeeping around it), :mod:`.lockstep` (several networks stepped as one),
:mod:`.lbfgs`, :mod:`.gradient_check`.
"""
