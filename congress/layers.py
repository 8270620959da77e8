"""The apps of the domain, lowest layer first. An app imports only the apps before it here (tests/test_layers.py
checks every import, at the top of a module or inside a function); a lower app names a higher one's model only in
the lazy string form ("meetings.Meeting"). The settings install the apps in this order, and the tests that walk
every app take the list from here."""

LAYERS = ("congress", "deputies", "projects", "meetings", "overview")
