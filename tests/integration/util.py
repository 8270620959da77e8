import time


def wait_for(predicate, timeout=60):
    """Poll until predicate() is true or the time is up; True if it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
