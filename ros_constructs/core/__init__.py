"""Building blocks that know no Koku or ROS names: naming, platform facts, pod parts, the
``Workload`` pod builder, the env table engine, Secret planning and network-policy helpers."""
