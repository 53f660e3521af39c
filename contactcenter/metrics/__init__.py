"""``GET /metrics`` in Prometheus's text format (docs/operations.md "Metrics").

- ``instruments``: the management plane's own instruments (the dialer's originates);
- ``state``: the gauges computed when scraped (pbx's gauges in Redis, the agents table);
- ``exposition``: what one scrape answers: every process's instruments and the state;
- ``access``: who may read it (the metrics token, or an admin or supervisor logged in);
- ``views``: the endpoint.

Names, labels and buckets are ``workers.metric_specs``' (one table for every plane).
"""
