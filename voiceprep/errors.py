"""The one error type users see: a sentence that says what is wrong and what to do."""


class VoiceprepError(Exception):
    """An error whose message is shown to the user as is, on one line."""
