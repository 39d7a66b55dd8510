"""Who is called next, how many people are ahead, and how long the wait is."""

from __future__ import annotations

from queue_server.core import actions
from queue_server.core.selection import choose_next, estimated_wait_s, people_ahead, pick_for_service

from .builders import at, call_next, drain, issue, office, queue

ONE_COUNTER = {1: ("HT",)}


def numbers(tickets):
    return [t.number for t in tickets]


# -- FIFO inside a group ------------------------------------------------------


def test_normal_tickets_are_called_in_issue_order():
    o = office(counters=ONE_COUNTER)
    s = queue(o)
    tickets = [issue(s, o, "HT", minutes=m) for m in range(5)]
    assert drain(s, o, 1, minutes=5) == tickets


def test_priority_tickets_are_called_in_issue_order_among_themselves():
    o = office(counters=ONE_COUNTER)
    s = queue(o)
    tickets = [issue(s, o, "HT", minutes=m, priority=p) for m, p in enumerate(["merit", "elderly", "pregnant"])]
    assert drain(s, o, 1, minutes=3) == tickets


def test_tickets_issued_in_the_same_instant_are_called_in_issue_order():
    o = office(counters=ONE_COUNTER)
    s = queue(o)
    tickets = [issue(s, o, "HT", minutes=0) for _ in range(4)]
    assert drain(s, o, 1, minutes=0) == tickets


def test_a_counter_with_two_services_calls_the_older_normal_ticket_first():
    o = office()
    s = queue(o)
    vp = issue(s, o, "VP", minutes=0)
    ht = issue(s, o, "HT", minutes=1)
    assert drain(s, o, 3, minutes=2) == [vp, ht]


def test_a_counter_calls_only_the_services_it_takes():
    o = office()
    s = queue(o)
    issue(s, o, "VP", minutes=0)
    ht = issue(s, o, "HT", minutes=1)
    assert drain(s, o, 1, minutes=2) == [ht]


def test_nobody_is_called_when_nobody_waits():
    o = office()
    s = queue(o)
    assert call_next(s, o, 1) is None


# -- priority_first and aging ------------------------------------------------------


def test_priority_first_calls_a_priority_ticket_before_older_normal_ones():
    o = office("priority_first", counters=ONE_COUNTER)
    s = queue(o)
    normal = issue(s, o, "HT", minutes=0)
    elderly = issue(s, o, "HT", minutes=5, priority="elderly")
    assert drain(s, o, 1, minutes=6) == [elderly, normal]


def test_priority_first_calls_every_waiting_priority_ticket_before_fresh_normal_ones():
    o = office("priority_first", counters=ONE_COUNTER)
    s = queue(o)
    n1, p1, n2, p2 = (issue(s, o, "HT", minutes=m, priority=p) for m, p in enumerate([None, "merit", None, "disabled"]))
    assert drain(s, o, 1, minutes=5) == [p1, p2, n1, n2]


def test_aging_lets_an_old_normal_ticket_go_before_a_newer_priority_one():
    o = office("priority_first", counters=ONE_COUNTER, aging_minutes=30)
    s = queue(o)
    old_normal = issue(s, o, "HT", minutes=0)
    newer_priority = issue(s, o, "HT", minutes=20, priority="elderly")
    assert call_next(s, o, 1, minutes=31) == old_normal
    assert call_next(s, o, 1, minutes=32) == newer_priority


def test_an_aged_normal_ticket_still_waits_for_older_priority_tickets():
    o = office("priority_first", counters=ONE_COUNTER, aging_minutes=30)
    s = queue(o)
    older_priority = issue(s, o, "HT", minutes=0, priority="merit")
    old_normal = issue(s, o, "HT", minutes=1)
    assert drain(s, o, 1, minutes=40) == [older_priority, old_normal]


def test_a_normal_ticket_younger_than_the_aging_limit_waits_behind_newer_priority_tickets():
    o = office("priority_first", counters=ONE_COUNTER, aging_minutes=30)
    s = queue(o)
    normal = issue(s, o, "HT", minutes=0)
    priority = issue(s, o, "HT", minutes=20, priority="elderly")
    assert call_next(s, o, 1, minutes=29) == priority
    assert call_next(s, o, 1, minutes=29) == normal


def test_a_normal_ticket_ages_exactly_at_the_aging_limit():
    o = office("priority_first", counters=ONE_COUNTER, aging_minutes=30)
    s = queue(o)
    normal = issue(s, o, "HT", minutes=0)
    issue(s, o, "HT", minutes=10, priority="elderly")
    assert call_next(s, o, 1, minutes=30) == normal


def test_aging_counts_from_the_time_of_issue_after_a_transfer():
    o = office("priority_first", aging_minutes=30)
    s = queue(o)
    moved = issue(s, o, "HT", minutes=0)
    call_next(s, o, 1, minutes=1)
    actions.transfer(s, o, 1, at(25), service_code="VP")
    priority = issue(s, o, "VP", minutes=26, priority="elderly")
    assert call_next(s, o, 2, minutes=31) == moved
    assert call_next(s, o, 2, minutes=32) == priority


def test_an_aged_normal_ticket_goes_before_a_newer_priority_ticket_of_another_service():
    o = office("priority_first", aging_minutes=30)
    s = queue(o)
    aged_ht = issue(s, o, "HT", minutes=1)
    issue(s, o, "VP", minutes=40, priority="elderly")
    assert call_next(s, o, 3, minutes=41) == aged_ht


def test_a_priority_ticket_of_one_service_goes_before_an_older_normal_ticket_of_another():
    o = office("priority_first")
    s = queue(o)
    issue(s, o, "VP", minutes=0)
    priority = issue(s, o, "HT", minutes=5, priority="disabled")
    assert call_next(s, o, 3, minutes=6) == priority


# -- every_n -------------------------------------------------------------------


def test_every_n_priority_ticket_waits_behind_exactly_n_normal_tickets():
    o = office("every_n", counters=ONE_COUNTER, priority_every_n=3)
    s = queue(o)
    normals = [issue(s, o, "HT", minutes=m) for m in range(5)]
    priority = issue(s, o, "HT", minutes=6, priority="elderly")
    assert drain(s, o, 1, minutes=7) == normals[:3] + [priority] + normals[3:]


def test_every_n_priority_ticket_waits_behind_every_third_normal_in_a_long_queue():
    o = office("every_n", counters=ONE_COUNTER, priority_every_n=3)
    s = queue(o)
    normals = [issue(s, o, "HT", minutes=m) for m in range(7)]
    priorities = [issue(s, o, "HT", minutes=10 + m, priority="merit") for m in range(3)]
    expected = normals[:3] + [priorities[0]] + normals[3:6] + [priorities[1]] + [normals[6], priorities[2]]
    assert drain(s, o, 1, minutes=20) == expected


def test_every_n_priority_ticket_goes_straight_when_no_normal_ticket_waits():
    o = office("every_n", counters=ONE_COUNTER, priority_every_n=3)
    s = queue(o)
    priority = issue(s, o, "HT", minutes=0, priority="elderly")
    assert call_next(s, o, 1, minutes=1) == priority


def test_every_n_priority_tickets_all_go_when_no_normal_ticket_waits():
    o = office("every_n", counters=ONE_COUNTER, priority_every_n=2)
    s = queue(o)
    priorities = [issue(s, o, "HT", minutes=m, priority="merit") for m in range(3)]
    assert drain(s, o, 1, minutes=5) == priorities


def test_every_n_priority_ticket_is_called_at_once_when_n_normals_were_already_called():
    o = office("every_n", counters=ONE_COUNTER, priority_every_n=2)
    s = queue(o)
    for m in range(2):
        issue(s, o, "HT", minutes=m)
    drain(s, o, 1, minutes=2)
    later_normal = issue(s, o, "HT", minutes=3)
    priority = issue(s, o, "HT", minutes=4, priority="pregnant")
    assert drain(s, o, 1, minutes=5) == [priority, later_normal]


def test_every_n_counts_normal_tickets_per_service():
    o = office("every_n", priority_every_n=2)
    s = queue(o)
    for m in range(2):
        issue(s, o, "VP", minutes=m)
    drain(s, o, 2, minutes=2)  # two VP normals called: VP's next priority is due, HT's is not
    ht_normals = [issue(s, o, "HT", minutes=3 + m) for m in range(3)]
    ht_priority = issue(s, o, "HT", minutes=6, priority="merit")
    assert drain(s, o, 1, minutes=7) == ht_normals[:2] + [ht_priority, ht_normals[2]]


def test_every_n_ignores_aging():
    o = office("every_n", counters=ONE_COUNTER, priority_every_n=1, aging_minutes=30)
    s = queue(o)
    old_normals = [issue(s, o, "HT", minutes=m) for m in range(2)]
    priority = issue(s, o, "HT", minutes=2, priority="merit")
    assert drain(s, o, 1, minutes=90) == [old_normals[0], priority, old_normals[1]]


# -- tickets transferred to a counter ------------------------------------------------


def test_a_ticket_transferred_to_a_counter_is_called_only_by_that_counter():
    o = office(counters={1: ("HT",), 2: ("HT",), 3: ("HT",)})
    s = queue(o)
    ticket = issue(s, o, "HT", minutes=0)
    call_next(s, o, 1, minutes=1)
    actions.transfer(s, o, 1, at(2), to_counter=3)
    assert call_next(s, o, 2, minutes=3) is None
    assert call_next(s, o, 1, minutes=3) is None
    assert call_next(s, o, 3, minutes=3) is ticket


def test_a_ticket_transferred_to_a_counter_of_another_service_is_called_by_that_counter():
    o = office(counters={1: ("HT",), 2: ("VP",), 4: ("VP",)})
    s = queue(o)
    ticket = issue(s, o, "HT", minutes=0)
    call_next(s, o, 1, minutes=1)
    actions.transfer(s, o, 1, at(2), to_counter=4)
    assert (ticket.service, ticket.target_counter) == ("VP", 4)
    assert call_next(s, o, 2, minutes=3) is None
    assert call_next(s, o, 4, minutes=3) is ticket


def test_other_counters_skip_a_ticket_sent_to_a_counter_and_call_the_next_one():
    o = office(counters={1: ("HT",), 2: ("HT",)})
    s = queue(o)
    sent = issue(s, o, "HT", minutes=0)
    call_next(s, o, 1, minutes=1)
    actions.transfer(s, o, 1, at(2), to_counter=2)
    newer = issue(s, o, "HT", minutes=3)
    assert call_next(s, o, 1, minutes=4) is newer
    assert call_next(s, o, 2, minutes=4) is sent


def test_a_ticket_transferred_to_a_counter_even_outside_its_services_is_found_by_that_counter():
    # Counter 1 takes only HT; a VP ticket sent to it must still reach it.
    o = office(counters={1: ("HT",), 2: ("VP",), 3: ("HT", "VP")})
    s = queue(o)
    ticket = issue(s, o, "VP", minutes=0)
    call_next(s, o, 2, minutes=1)
    actions.transfer(s, o, 2, at(2), to_counter=3)
    assert choose_next(s, o, 1, at(3)) is None
    assert choose_next(s, o, 3, at(3)) is ticket


# -- pick_for_service ---------------------------------------------------------------


def test_pick_for_service_reports_a_priority_pick():
    o = office("priority_first")
    s = queue(o)
    priority = issue(s, o, "HT", minutes=0, priority="merit")
    issue(s, o, "HT", minutes=1)
    assert pick_for_service(s, "HT", o.policy, at(2)) == (priority, True)


def test_pick_for_service_reports_an_aged_normal_ticket_as_a_priority_pick():
    o = office("priority_first", aging_minutes=30)
    s = queue(o)
    normal = issue(s, o, "HT", minutes=0)
    assert pick_for_service(s, "HT", o.policy, at(10)) == (normal, False)
    assert pick_for_service(s, "HT", o.policy, at(30)) == (normal, True)


def test_pick_for_service_is_none_for_an_empty_service():
    o = office()
    s = queue(o)
    assert pick_for_service(s, "HT", o.policy, at(0)) is None


# -- people ahead -----------------------------------------------------------------------


def test_the_first_ticket_has_nobody_ahead():
    o = office()
    s = queue(o)
    ticket = issue(s, o, "HT")
    assert people_ahead(s, o, ticket, at(0)) == 0


def test_people_ahead_counts_older_tickets_of_the_same_service_only():
    o = office()
    s = queue(o)
    issue(s, o, "HT", minutes=0)
    issue(s, o, "VP", minutes=1)
    issue(s, o, "HT", minutes=2)
    ticket = issue(s, o, "HT", minutes=3)
    assert people_ahead(s, o, ticket, at(4)) == 2


def test_people_ahead_of_a_normal_ticket_counts_newer_priority_tickets_under_priority_first():
    o = office("priority_first")
    s = queue(o)
    normal = issue(s, o, "HT", minutes=0)
    issue(s, o, "HT", minutes=1, priority="elderly")
    issue(s, o, "HT", minutes=2, priority="merit")
    assert people_ahead(s, o, normal, at(3)) == 2


def test_people_ahead_of_a_priority_ticket_skips_fresh_normal_tickets_under_priority_first():
    o = office("priority_first")
    s = queue(o)
    issue(s, o, "HT", minutes=0)
    issue(s, o, "HT", minutes=1)
    priority = issue(s, o, "HT", minutes=2, priority="merit")
    assert people_ahead(s, o, priority, at(3)) == 0


def test_people_ahead_of_a_priority_ticket_counts_aged_normal_tickets():
    o = office("priority_first", aging_minutes=30)
    s = queue(o)
    issue(s, o, "HT", minutes=0)
    issue(s, o, "HT", minutes=20)
    priority = issue(s, o, "HT", minutes=25, priority="merit")
    assert people_ahead(s, o, priority, at(31)) == 1


def test_a_transferred_older_ticket_counts_ahead_of_newer_tickets_of_the_target_service():
    o = office()
    s = queue(o)
    moved = issue(s, o, "HT", minutes=0)
    newer = issue(s, o, "VP", minutes=1)
    call_next(s, o, 1, minutes=2)
    actions.transfer(s, o, 1, at(3), service_code="VP")
    assert (people_ahead(s, o, moved, at(4)), people_ahead(s, o, newer, at(4))) == (0, 1)


def test_people_ahead_under_every_n_counts_the_interleaving():
    o = office("every_n", counters=ONE_COUNTER, priority_every_n=2)
    s = queue(o)
    normals = [issue(s, o, "HT", minutes=m) for m in range(5)]
    priorities = [issue(s, o, "HT", minutes=10 + m, priority="merit") for m in range(2)]
    # Call order: n0 n1 p0 n2 n3 p1 n4
    assert [people_ahead(s, o, t, at(20)) for t in normals] == [0, 1, 3, 4, 6]
    assert [people_ahead(s, o, t, at(20)) for t in priorities] == [2, 5]


def test_people_ahead_is_the_position_in_the_actual_call_order():
    o = office("every_n", counters=ONE_COUNTER, priority_every_n=2)
    s = queue(o)
    tickets = [issue(s, o, "HT", minutes=m, priority="merit" if m % 3 == 0 else None) for m in range(9)]
    predicted = {t.id: people_ahead(s, o, t, at(20)) for t in tickets}
    order = drain(s, o, 1, minutes=20)
    assert {t.id: i for i, t in enumerate(order)} == predicted


# -- estimated wait -------------------------------------------------------------------------


def test_estimated_wait_uses_the_default_service_time_until_there_is_history():
    o = office(counters=ONE_COUNTER)
    s = queue(o)
    assert estimated_wait_s(s, o, "HT", 3) == 3 * 10 * 60


def test_estimated_wait_is_shared_among_the_open_counters_of_the_service():
    o = office(counters={1: ("HT",), 2: ("HT",), 3: ("VP",)})
    s = queue(o)
    call_next(s, o, 1)
    call_next(s, o, 2)
    call_next(s, o, 3)
    assert estimated_wait_s(s, o, "HT", 4) == 4 * 600 // 2


def test_estimated_wait_uses_the_mean_of_recent_service_times():
    o = office(counters=ONE_COUNTER)
    s = queue(o)
    issue(s, o, "HT", minutes=0)
    issue(s, o, "HT", minutes=0)
    call_next(s, o, 1, minutes=0)
    call_next(s, o, 1, minutes=4)  # first took 4 min
    actions.complete(s, o, 1, at(10))  # second took 6 min
    assert estimated_wait_s(s, o, "HT", 2) == 2 * 300


def test_estimated_wait_of_nobody_ahead_is_zero():
    o = office()
    s = queue(o)
    assert estimated_wait_s(s, o, "HT", 0) == 0


def test_tickets_clicked_through_in_seconds_do_not_promise_one_minute_waits():
    o = office()
    s = queue(o)
    for minute in range(3):
        issue(s, o, "HT", minutes=minute)
    call_next(s, o, 1, minutes=3)
    call_next(s, o, 1, minutes=3.05)  # the first ticket "served" in 3 seconds
    # 10-minute default service time: never less than a quarter of it per person.
    assert estimated_wait_s(s, o, "HT", 2) == 2 * 150
