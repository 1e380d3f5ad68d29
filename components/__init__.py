"""Custom Rasa graph components of the guideline chatbot."""
