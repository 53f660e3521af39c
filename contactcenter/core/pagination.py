"""Every API list comes in pages: a client cannot ask for 200k leads in one response.

``?page=N&page_size=M``: 100 a page unless asked, at most 1000 (a larger ``page_size`` gets
1000). The body is ``{"count", "next", "previous", "results"}``; drf-spectacular documents
both parameters and that shape on every list in the schema.
"""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class ApiPages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
