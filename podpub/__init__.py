"""podpub: from a folder of audio files to a podcast feed every app accepts."""

__version__ = "0.1.0"
