"""Code that runs INSIDE the sandbox and gives user scripts their context.

Plain Python, standard library only at import time: it must start fast and must not
need Django or the rest of bimflow. ``main.main(spec_path)`` is the entry point.
"""
