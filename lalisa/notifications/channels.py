"""Where notifications go out. A channel is an object with `deliver(notification) -> str`.

The WhatsApp Cloud API channel registers itself here when it is configured.
"""

_channel = None


def register(channel) -> None:
    global _channel
    _channel = channel


def get_channel():
    return _channel
