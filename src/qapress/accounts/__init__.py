"""The newsroom's people: accounts and roles, passwords, server-side sessions, sign-in throttling, the audit log.

Pure rules (roles, password policy, throttle limits) sit beside the few statements that read and write the
``account``, ``account_site``, ``account_session`` and ``audit_log`` tables; the web pages live in
``qapress.newsroom`` and the command line in ``qapress.cli.users``.
"""
