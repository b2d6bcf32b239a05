"""The thin web layer: HTTP routes and the websocket endpoint translate to service calls."""
