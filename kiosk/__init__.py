"""The lobby touchscreen kiosk: take a number, look up a procedure, rate the service.

The pure parts (texts, view-models, idle timer, Vietnamese keyboard) import
nothing from Kivy and are tested on their own; the Kivy screens only show
what the view-models say.
"""
