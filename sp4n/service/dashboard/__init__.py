"""The monitoring room: ``/dashboard``, its JSON under ``/v1/dashboard`` and its live stream.

:mod:`.board` computes what it shows (on :meth:`Engine.count` and :meth:`Engine.find`);
:mod:`.routes` serves the page, its assets, the JSON and the server-sent events.
"""
