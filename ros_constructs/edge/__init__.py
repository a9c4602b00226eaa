"""Exposure and identity for the whole stack (Route | Ingress | Gateway, Envoy, Authorino): not built yet.

The Cost Management API's own router lives with its tier in ``cost_management``.
"""
