"""The figure, as data: how things are named and where they go, computed from the plan
without drawing (no manim). Scenes and the page read it; it reads only the plan and
scenes.layout.
"""
