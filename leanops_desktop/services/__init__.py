"""Use cases (Qt-free). Each public mutation is ``f(session, actor, ...)``: it checks the
permission, validates, writes its rows and exactly one ``events_log`` entry in one
transaction, and returns plain row objects from :mod:`leanops_desktop.core.rows`.
"""
