"""Station kiosks: enrolled devices, operators signed in by badge or PIN, offline sign-in."""
