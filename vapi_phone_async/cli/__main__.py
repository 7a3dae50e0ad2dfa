"""`python -m vapi_phone_async.cli`: the same as the `vapi-phone` script."""

import sys

from . import main

sys.exit(main())
