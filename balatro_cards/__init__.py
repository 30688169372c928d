__version__ = "0.0.1"

# Hand-kept (nbdev only rewrites `__version__`). Every console command imports this first, before fastai: fastai's
# `torch.jit.script` use warns on import under torch >= 2.10 (FutureWarning), noise a user cannot act on.
import warnings as _warnings
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
