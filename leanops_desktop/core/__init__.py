"""Qt-free, database-free core: enums, errors, the permission matrix and plain row objects.

Only the standard library may be imported here.
"""
