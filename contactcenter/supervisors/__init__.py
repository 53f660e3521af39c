"""Supervisors on the floor: listen to, whisper into and barge into live calls, take an AI call
over by hand, force an agent's pause or log-out (issue 19).

Django sends; pbx carries out and writes the ledger. ``models`` (a supervisor's own phone and
queue), ``commands`` (the pbx commands a request becomes: pure), ``services`` (sending them;
a forced agent state also recorded here at once), ``api`` (the JSON API under
``/api/supervisor/``), ``views``/``urls`` (the page ``/supervisor/``, fed by the wallboard's
websocket), ``static/supervisors`` (its script, which registers the phone with the shared
``phone/phone.js``).
"""
