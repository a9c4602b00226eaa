"""The ROS-OCP tier: backend (API, processor, poller, housekeeper), Kruize, Sources API, upload ingress."""
