"""The one exception type of the package.

Kept apart from the ctypes layer so that it can be raised (and re-created
by torch's DataLoader in the main process) without loading the library.
"""

# Names of the library's error codes (synapt.h section 2). Codes are only
# ever appended there, so this table only ever grows.
CODE_NAMES = {
    -1: "INVALID_ARG", -2: "NOMEM", -3: "IO", -4: "NOT_SYNAPT", -5: "VERSION",
    -6: "FEATURE", -7: "CORRUPT", -8: "CHECKSUM", -9: "TRUNCATED", -10: "LIMIT",
    -11: "NOT_FOUND", -12: "RANGE", -13: "STATE", -14: "CODEC", -15: "UNSUPPORTED",
    -16: "EXISTS", -17: "INPUT", -18: "BUFFER",
}


class SynaptError(Exception):
    """A failure reported by libsynapt.

    str(err) is the library's one-line message (it names the file and, where
    known, the clip, stream and chunk). `code` is the negative SYNAPT_E_*
    value and `name` its suffix ("CHECKSUM"); both are None when the error
    was re-created from its text alone, as torch's DataLoader does when it
    carries a worker's exception to the main process.
    """

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code
        self.name = CODE_NAMES.get(code) if code is not None else None

    def __reduce__(self):
        # the default would call SynaptError(message) and lose the code
        return (SynaptError, (str(self), self.code))
