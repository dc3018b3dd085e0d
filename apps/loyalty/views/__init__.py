"""The loyalty pages: members (list, member page, adjustment), the counter, the program's
settings and figures, the home card, the contact page's panel, and the customer's card."""
