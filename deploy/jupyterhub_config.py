"""JupyterHub for the course on one machine (`make hub`, and the cohort test).

Real system users log in with their passwords (PAM); each server runs as its user
(LocalProcessSpawner, so the hub runs as root); configurable-http-proxy in front. The course
part (groups, servers, exchange, gradebook) is deploy/bshtrain_hub.py; the one-machine part
comes from the cohort file's [local] table, written by deploy/localhub.py:

    state_dir      the hub's database, cookie secret and proxy pid file
    bind_url       the public address (the proxy); hub_bind_url, proxy_api_url: internal
    singleuser_args  extra arguments for every server (tests expose the Lab app object)

The runner's own API token (a JupyterHub service allowed to start and stop servers and issue
users' tokens) comes from the environment, never from a file in the repository.
"""

import os
import sys
from pathlib import Path

here = Path(__file__).resolve().parent  # __file__ is set by traitlets' config loader
sys.path.insert(0, str(here))
import bshtrain_hub  # noqa: E402 (found through the line above)

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)
env_bin = Path(sys.executable).parent
cohort = bshtrain_hub.Cohort.load()
bshtrain_hub.configure(c, cohort, default_bin=env_bin)

local = cohort.local
state = Path(local.get("state_dir", "/srv/bshtrain-hub/hub"))
c.JupyterHub.bind_url = local.get("bind_url", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = local.get("hub_bind_url", "http://127.0.0.1:8081")
c.ConfigurableHTTPProxy.api_url = local.get("proxy_api_url", "http://127.0.0.1:8001")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")

c.JupyterHub.authenticator_class = "pam"
c.JupyterHub.spawner_class = "localprocess"
# The users' servers run from the users' environment (the course installed as a package),
# by default the hub's own.
c.Spawner.cmd = [str((cohort.user_env_bin or env_bin) / "jupyterhub-singleuser")]
c.Spawner.args = list(local.get("singleuser_args", []))
# A loaded machine starts a server slowly; a hub restart must not stop trainees' servers.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.JupyterHub.cleanup_servers = False

token = os.environ.get("BSHTRAIN_HUB_SERVICE_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "bshtrain-local", "api_token": token}]
    c.JupyterHub.load_roles = [{
        "name": "bshtrain-local",
        "scopes": ["list:users", "read:users", "admin:servers", "tokens", "proxy"],
        "services": ["bshtrain-local"],
    }]
