"""Access rules of the imports app's URLs (healthscore/tests/test_access_matrix.py): admins only."""

from healthscore.tests.access import FORBIDDEN, LOGIN, Rule

ADMINS_ONLY = {"anonymous": LOGIN, "tam": FORBIDDEN, "manager": FORBIDDEN, "no_role": FORBIDDEN}

RULES = [
    Rule("import_page", lambda w: "/imports/", **ADMINS_ONLY),
    Rule("import_run", lambda w: "/imports/runs/999999/", admin=404, **ADMINS_ONLY),
    Rule("import_run_status", lambda w: "/imports/runs/999999/status/", admin=404, **ADMINS_ONLY),
]
