"""Dialogs: forms that validate as you type and keep their input when a service refuses."""
