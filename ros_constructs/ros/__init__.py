"""The ROS-OCP tier (API, processor, poller, housekeeper, Kruize, Sources, upload ingress): not built yet."""
