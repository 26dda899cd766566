"""Making the media: the Manim run and the ffmpeg encoders (`passes`), parallel chunks of
one movie (`chunks`), vector stills (`vector`), captions (`captions`), the script
(`script`), the slides (`slides`, with the vendored reveal.js in vendor/) and the web page
(`webpage`, with its script and style in web/).

Every file here shapes what a render draws, so all of it is in the code hash
(`scenes.app.cache.code`). Over `scenes.app.cache` (the text caches); never imports the
pipeline, the batch or the command line above it.
"""
