"""Online booking of appointments, check-in, result-return tickets and the ticket status page."""
