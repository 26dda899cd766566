"""The figure, as data: how things are named and where they go, computed from the plan
without drawing (no manim). Scenes and the page read it; it reads only the plan,
scenes.layout and scenes.theme (the typography), and measures texts with Pango.

`build.build_figure(plan)` is the drift figure's whole model (every element's box, kind,
sentence and beats), built from the plan: `widgets` (the geometry the mobject classes draw
with), `measure` (Pango), `sentences` (the header), `column` (panels, equations, summary),
`plotmodel` / `plot_elements` (the key, marks, labels, arrows, trails), `labels` (the
placement), `checks` (the layout check on the model).
"""
