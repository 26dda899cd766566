"""What is kept to skip work: the render's cache key and record check (`key`), the code hash
(`code`: which source draws a scene), a spec entry's inputs (`inputs`), and Pango's SVGs
and built texts across runs (`texts`).

Over `scenes.app.files` (the record is read and written through it); under the media.
"""
