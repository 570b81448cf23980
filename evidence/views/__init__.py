"""Server-rendered evidence pages: the police portal, the operator's queue, requests, audit."""
