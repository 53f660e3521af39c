"""The managers' wallboard: live queues, calls, escalations, campaigns and agents over Channels.

``board`` (pure state from events and facts), ``facts`` (database reads), ``feeder`` (stream
tail → channel-layer group), ``consumers``/``routing`` (the websocket), ``views``/``urls``
(the page), ``management/commands/wallboard.py`` (the feeder as its own process).
"""
