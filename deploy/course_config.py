"""The course, as a drop-in for a JupyterHub you already run (docs/hosting.md).

The Littlest JupyterHub: link it into /opt/tljh/config/jupyterhub_config.d/ and write the
cohort file (/etc/bshtrain/cohort.toml, or the path in BSHTRAIN_COHORT). It adds the cohort's
users to the allowed users, the trainee and instructor groups, and each server's settings;
it leaves the hub's own authenticator, spawner, proxy and ports alone.
"""

import sys
from pathlib import Path

here = Path(__file__).resolve().parent  # __file__ is set by traitlets' config loader
sys.path.insert(0, str(here))
import bshtrain_hub  # noqa: E402 (found through the line above)

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)
bshtrain_hub.configure(c, bshtrain_hub.Cohort.load(), default_bin=Path(sys.executable).parent)
