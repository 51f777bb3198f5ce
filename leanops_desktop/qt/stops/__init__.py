"""The Stops dock: automatic unexplained stops per station, classified with a reason."""
