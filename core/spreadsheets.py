"""CSV that a spreadsheet opens safely, streamed row by row."""

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets (CSV injection);
# an apostrophe in front makes it text, as OWASP advises.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> str:
    """The value as text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class Echo:
    """A file-like object for csv.writer that hands each written row back, for StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value
