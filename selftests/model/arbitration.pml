/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * The arbitration protocol of userspace/cluster/arbiter.c, as a Promela
 * model for spin (selftests/host/model.sh runs it). Two managers, two
 * witness hosts, every link able to fail in either direction at any time,
 * managers crashing and restarting with what they persisted, and messages
 * lost (a lost message is an event that never happens).
 *
 * Time is abstracted into the two timing rules of
 * Documentation/arbitration.rst, which the implementation's arithmetic
 * guarantees:
 *   - a witness lease runs out only after the holder's hold from it ended;
 *   - a manager declares its peer lost only after the peer's hold from
 *     this manager's promise ended.
 * Each is modelled as one atomic step doing both, the hold first.
 *
 * Checked: never two managers acting as active (role active and a hold
 * from the standby's promise or the agreed witness's lease), never two
 * actives in one epoch, and no witness write accepted from an epoch older
 * than one already granted anywhere.
 */

#define W	2	/* witness hosts */
#define MAXE	3	/* epochs explored */
#define MAXG	3	/* generations explored */
#define NONE	255

/* Managers. */
bool act[2];			/* role */
byte epoch[2];
byte agreed[2];			/* the agreed witness, NONE if none */
byte agreed_ep[2];		/* and the record expected on it */
byte agreed_gen[2];
bool written[2];		/* active: its record is on the agreed witness */
bool heard[2];			/* the peer is not (yet) declared lost */
bool s_hold[2];			/* hold from the standby's promise */
bool w_hold[2];			/* hold from the agreed witness's lease */
byte proposed[2];		/* active: witness offered to the peer, NONE */
byte proposed_gen[2];

/* Witness stores. */
byte holder[W];
byte w_ep[W];
byte w_gen[W];
bool lease[W];

/*
 * Links: between the managers each way apart; between a manager and a
 * witness both ways at once (a request and its answer need both, so a
 * one-way cut there is a cut).
 */
bool mm[2];			/* mm[i]: manager i reaches the other */
bool mw[2 * W];			/* mw[i * W + w]: manager i and witness w */
#define to_peer(i)	mm[i]
#define to_witness(i, w)	mw[(i) * W + (w)]

byte granted;			/* highest epoch any store accepted */

#define acting(i)	(act[i] && (s_hold[i] || (w_hold[i] && agreed[i] != NONE)))
#define both_ways(i)	(mm[0] && mm[1])
#define newer(e, g, i)	((e) > agreed_ep[i] || ((e) == agreed_ep[i] && (g) > agreed_gen[i]))

inline demote(i)
{
	act[i] = false;
	s_hold[i] = false;
	w_hold[i] = false;
	written[i] = false;
	proposed[i] = NONE
}

inline accept_write(w, who, e, g)
{
	assert(e >= granted);
	granted = e;
	holder[w] = who;
	w_ep[w] = e;
	w_gen[w] = g;
	lease[w] = true
}

active proctype invariant()
{
	do
	:: atomic {
		assert(!(acting(0) && acting(1)));
		assert(!(act[0] && act[1] && epoch[0] == epoch[1]))
	   }
	od
}

active proctype world()
{
	byte i, j, w, e, g;

	for (i : 0 .. 1) {
		agreed[i] = NONE;
		proposed[i] = NONE
	}
	for (w : 0 .. W - 1) {
		holder[w] = NONE
	}
	mm[0] = true;
	mm[1] = true;
	for (i : 0 .. 2 * W - 1) {
		mw[i] = true
	}

	do
	/* Faults: any link, either way; crashes (restart with what was persisted). */
	:: atomic { select(i : 0 .. 1); mm[i] = !mm[i] }
	:: atomic { select(i : 0 .. 2 * W - 1); mw[i] = !mw[i] }
	:: atomic {
		/* A restart counts as contact: a promise given before it holds. */
		select(i : 0 .. 1);
		demote(i);
#ifdef FORGETFUL_RESTART
		heard[i] = false;	/* the bug spin found: see model.sh */
#else
		heard[i] = true;
#endif
		epoch[i] = agreed_ep[i]
	   }

	/* Rule 5: an active without either hold steps down. */
	:: atomic { select(i : 0 .. 1); act[i] && !acting(i) -> demote(i) }

	/* Heartbeat i -> j. */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		to_peer(i) ->
		heard[j] = true;
		if
		:: act[i] && epoch[i] >= epoch[j] && act[j] -> demote(j)
		:: else -> skip
		fi;
		if
		:: act[i] && epoch[i] >= epoch[j] ->
			epoch[j] = epoch[i];
			if
			:: agreed[i] != NONE && newer(agreed_ep[i], agreed_gen[i], j) ->
				agreed[j] = agreed[i]; agreed_ep[j] = agreed_ep[i];
				agreed_gen[j] = agreed_gen[i]
			:: else -> skip
			fi
		:: !act[i] && !act[j] ->
			/* Two non-actives share what they agreed; the newer wins. */
			if
			:: agreed[i] != NONE && newer(agreed_ep[i], agreed_gen[i], j) ->
				agreed[j] = agreed[i]; agreed_ep[j] = agreed_ep[i];
				agreed_gen[j] = agreed_gen[i]
			:: else -> skip
			fi;
			if
			:: epoch[i] > epoch[j] -> epoch[j] = epoch[i]
			:: else -> skip
			fi
		:: else -> skip
		fi
	   }

	/* The standby's echo reaches the active: a hold from its promise. */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		both_ways(i) && act[i] && !act[j] && epoch[j] == epoch[i] ->
		heard[j] = true;
		s_hold[i] = true
	   }

	/* Timing rule 2: j declares i lost, after i's hold from j ended. */
	:: atomic { select(j : 0 .. 1); i = 1 - j; s_hold[i] = false; heard[j] = false }

	/* Timing rule 1: a lease runs out, after its holder's hold ended. */
	:: atomic {
		select(w : 0 .. W - 1);
		lease[w] ->
		if
		:: holder[w] < 2 && agreed[holder[w]] == w -> w_hold[holder[w]] = false
		:: else -> skip
		fi;
		lease[w] = false
	   }

	/* Rule 3: the active renews its lease on the agreed witness. */
	:: atomic {
		select(i : 0 .. 1);
		acting(i) && written[i] && to_witness(i, agreed[i]) &&
		holder[agreed[i]] == i && w_ep[agreed[i]] == epoch[i] &&
		w_gen[agreed[i]] == agreed_gen[i] ->
		assert(epoch[i] >= granted);
		lease[agreed[i]] = true;
		w_hold[i] = true
	   }

	/* Rule 4: takeover through the agreed witness, by compare-and-swap. */
	:: atomic {
		select(j : 0 .. 1); i = 1 - j;
		!act[j] && agreed[j] != NONE &&
		(!heard[j] || (!act[i] && j == 0)) &&
		to_witness(j, agreed[j]) ->
		w = agreed[j];
		e = (epoch[j] > agreed_ep[j] -> epoch[j] : agreed_ep[j]) + 1;
		if
		:: e <= MAXE && agreed_gen[j] < MAXG &&
		   w_ep[w] == agreed_ep[j] && w_gen[w] == agreed_gen[j] &&
		   (!lease[w] || holder[w] == j) ->
			accept_write(w, j, e, agreed_gen[j] + 1);
			act[j] = true;
			epoch[j] = e;
			agreed_ep[j] = e;
			agreed_gen[j] = agreed_gen[j] + 1;
			written[j] = true;
			w_hold[j] = true;
			s_hold[j] = false;
			proposed[j] = NONE
		:: else ->
			/* Refused; the answer shows the record as it is. */
			if
			:: w_ep[w] > agreed_ep[j] || (w_ep[w] == agreed_ep[j] && w_gen[w] > agreed_gen[j]) ->
				agreed_ep[j] = w_ep[w]; agreed_gen[j] = w_gen[w];
				if
				:: w_ep[w] > epoch[j] -> epoch[j] = w_ep[w]
				:: else -> skip
				fi
			:: else -> skip
			fi
		fi
	   }

	/* Rules 1 and 6, forming: both here, neither active, the preferred (0)
	 * proposes a first witness; and the active re-selects while both agree. */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		proposed[i] == NONE && both_ways(i) && heard[i] && !act[j] &&
		((act[i] && epoch[j] == epoch[i]) || (!act[i] && i == 0 && agreed[i] == NONE)) &&
		agreed_gen[i] < MAXG ->
		select(w : 0 .. W - 1);
		w != agreed[i] ->
		e = (act[i] -> epoch[i] : epoch[i] + 1);
		if
		:: e <= MAXE ->
			proposed[i] = w;
			proposed_gen[i] = agreed_gen[i] + 1;
			/* The peer agrees: from now on it fails over through w only. */
			if
			:: !act[j] && (e > agreed_ep[j] ||
			   (e == agreed_ep[j] && proposed_gen[i] >= agreed_gen[j])) ->
				agreed[j] = w; agreed_ep[j] = e; agreed_gen[j] = proposed_gen[i]
			:: else -> proposed[i] = NONE
			fi
		:: else -> skip
		fi
	   }

	/* The peer's yes reaches the proposer (or is lost: nothing happens). */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		proposed[i] != NONE && to_peer(j) && agreed[j] == proposed[i] &&
		agreed_gen[j] == proposed_gen[i] && agreed[i] != proposed[i] ->
		agreed[i] = proposed[i];
		agreed_ep[i] = (act[i] -> epoch[i] : epoch[i] + 1);
		agreed_gen[i] = proposed_gen[i];
		written[i] = false;
		w_hold[i] = false		/* the old witness no longer counts */
	   }

	/* The proposer writes the agreed witness (read, then CAS). */
	:: atomic {
		select(i : 0 .. 1);
		proposed[i] != NONE && agreed[i] == proposed[i] && !written[i] &&
		to_witness(i, agreed[i]) ->
		w = agreed[i];
		e = agreed_ep[i];
		if
		:: e >= w_ep[w] && (e > w_ep[w] || agreed_gen[i] > w_gen[w]) &&
		   (!lease[w] || holder[w] == i) &&
		   (act[i] || (!heard[i] || !act[1 - i])) ->
			accept_write(w, i, e, agreed_gen[i]);
			written[i] = true;
			w_hold[i] = true;
			epoch[i] = e;
			proposed[i] = NONE;
			if
			:: !act[i] -> act[i] = true; s_hold[i] = false
			:: else -> skip
			fi
		:: else -> proposed[i] = NONE
		fi
	   }
	od
}
