# expect: runtime_error
# kind: function
import os
os._exit(0)
