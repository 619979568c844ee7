"""What daphne's HTTP layer (Twisted) does before FocusHub sees a request.

Twisted's Request parses every POST with a multipart/form-data or urlencoded body into
`request.args` for itself, which daphne never uses, and answers a multipart body it
cannot parse with a bare `400 Bad Request` (no body, no content type, no log line)
before the application sees it. With that parsing off, the body goes to Django like any
other: DRF's parser answers a malformed one with the contract's 400
`{code, detail}`, under the same size limit as every request. Installed
by asgi.py, the entry point daphne serves.
"""

from daphne.http_protocol import WebRequest

_twisted_init = WebRequest.__init__


def _init_without_form_parsing(self, *args, **kwargs) -> None:
    _twisted_init(self, *args, **kwargs)
    self._parsePOSTFormSubmission = False


def install() -> None:
    if WebRequest.__init__ is not _init_without_form_parsing:
        WebRequest.__init__ = _init_without_form_parsing
