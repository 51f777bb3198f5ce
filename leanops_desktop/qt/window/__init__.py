"""Parts of the main window: its actions' handlers, menus, and saved layout."""
