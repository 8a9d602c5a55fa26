/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * The arbitration protocol of userspace/cluster/arbiter.c, as a Promela
 * model for spin (selftests/host/model.sh runs it). Two managers, two
 * witness hosts, managers crashing and restarting with what they wrote to
 * disk, messages lost (a lost message is an event that never happens),
 * writes to disk failing, witness records going back (a backup restored,
 * a lost write), and either manager's promise length changed by a reload
 * at any time.
 *
 * A cut link, either way, is every message over it lost, and needs no
 * state of its own: each delivery below is a step that may never be
 * taken, no step needs a link down, and no step changes with one. The
 * states reachable with links that fail are then those reachable
 * without, and the invariant's verdict the same (a model with a state
 * for each link found the same, in about 80 times the states).
 *
 * Time is abstracted into the two timing rules of
 * Documentation/arbitration.rst, which the implementation's arithmetic
 * guarantees:
 *   - a witness lease runs out only after every hold from it ended;
 *   - a manager declares its peer lost only after the peer's hold from
 *     this manager's promise ended: the standby keeps the longest promise
 *     it made, and the active holds only as long as the standby said.
 * Each is modelled as one atomic step doing both, the hold first.
 *
 * Checked: never two managers acting as active (role active and a hold
 * from the standby's promise or the agreed witness's lease), never two
 * managers active in one epoch, ever, and no witness write accepted from
 * an epoch older than one already granted (with ROLLBACKS: than one that
 * store granted since it last lost its disk).
 *
 * The faults beyond crashes and loss come in three sets, each searched
 * apart (together they pass 200 million states, model.sh):
 *   PERSIST_FAILS   writes to a manager's disk fail
 *   RELOADS         either manager's promise length changes by a reload
 *   ROLLBACKS       witness records go back, with or without a reboot
 * Each old behaviour can be put back with -D (model.sh checks that spin
 * then finds a violation):
 *   FORGETFUL_RESTART       a restarted manager forgets a promise it gave
 *   FAILED_PERSIST_SAYS_YES the standby says yes to a witness it could not
 *                           write down
 *   OWN_PROMISE_LENGTH      the active holds as long as it would promise,
 *                           the standby keeps only its present promise
 *   STORE_SERVES_ROLLBACK   a running store serves a record that went back
 *   SHARED_EPOCHS           both managers take epoch + 1
 *   HOLDER_SKIPS_QUARANTINE a rebooted store lets its recorded holder
 *                           raise the epoch during its lease
 *   STANDBY_FORGETS_CLAIM   the standby promises at an epoch claimed on its
 *                           promise without writing that epoch down
 *   CLAIM_WITHOUT_PROMISE   a claim in contact does not wait for the
 *                           peer's promise at it
 *   MOVE_HOLDS_ON_ONE       while a move is offered, the active holds on
 *                           the old witness's lease alone
 *   TAKEOVER_IN_DOUBT       a manager takes over while a move it offered
 *                           may have been agreed
 *   SOFT_NO                 the peer may say yes to a proposal it said no
 *                           to, at a later copy of it
 *   RESTART_FORGETS_MOVE    a restart forgets the move it offered
 *   SETTLED_UNWRITTEN       a newer witness named settles the move offered
 *                           though it could not be written down
 *
 * Rule 6, a move of the witness, is the one of arbiter.c: the active
 * writes its record on the new witness first, then offers it, holding on
 * both leases until the peer's answer; the peer's yes and its no are on
 * its disk before they are sent, and final. Three generations (a first
 * witness, a move, a takeover) are needed for a death in the middle of a
 * move to matter.
 */

#define W	2	/* witness hosts */
#ifndef MAXE
#define MAXE	3	/* epochs explored */
#endif
#ifndef MAXG
#define MAXG	3	/* generations explored */
#endif
#define NONE	255

/* Managers. */
bool act[2];			/* role */
byte epoch[2];
byte agreed[2];			/* the agreed witness, NONE if none */
byte agreed_ep[2];		/* and the record expected on it */
byte agreed_gen[2];
#ifdef PERSIST_FAILS
/*
 * What is on disk, when writes can fail: a restart finds it. (Without
 * failures, a restart finds what the manager knew: the agreed witness it
 * wrote down, and the epoch it claimed, written before it was asked for;
 * a record newer than the one on disk is the witness's to show again.)
 */
byte d_agreed[2];
byte d_agreed_ep[2];
byte d_agreed_gen[2];
byte d_claimed[2];		/* the highest epoch it asked a witness for */
#endif
bool written[2];		/* active: its record is on the agreed witness */
bool heard[2];			/* the peer is not (yet) declared lost */
bool s_hold[2];			/* hold from the standby's promise */
bool w_hold[2];			/* hold from the agreed witness's lease */
byte proposed[2];		/* witness offered to the peer, NONE; kept across a restart */
bool w_hold2[2];		/* hold from the offered witness's lease */
byte refused_ep[2];		/* the peer's proposals refused, up to this epoch */
byte refused_gen[2];		/* and generation at it */
byte proposed_ep[2];		/* at this epoch and generation */
byte proposed_gen[2];
#ifdef RELOADS
bool cfg_long[2];		/* grace-ms as configured now: long or short */
bool owe_long[2];		/* the longest promise made and not yet over */
bool relied_long[2];		/* the length the active's s_hold counts on */
#endif
byte owner[MAXE + 1];		/* the manager each epoch was ever active for */
byte top;			/* the highest epoch any manager was active at */

/* Witness stores. */
byte holder[W];
byte w_ep[W];
byte w_gen[W];
bool lease[W];
#ifdef ROLLBACKS
byte p_holder[W];		/* the record before the last write */
byte p_ep[W];
byte p_gen[W];
byte w_high[W];			/* highest epoch accepted since it lost its disk */
bool quar[W];			/* rebooted: only renewals until its lease ran out */
#define high(w)		w_high[w]
#define quarantined(w)	quar[w]
#else
byte granted;			/* highest epoch any store accepted */
#define high(w)		granted
#define quarantined(w)	false
#endif

#ifdef MOVE_HOLDS_ON_ONE
#define acting(i)	(act[i] && (s_hold[i] || (w_hold[i] && agreed[i] != NONE)))
#else
#define acting(i)	(act[i] && (s_hold[i] || (w_hold[i] && agreed[i] != NONE && \
					       (proposed[i] == NONE || w_hold2[i]))))
#endif
#define newer(e, g, i)	((e) > agreed_ep[i] || ((e) == agreed_ep[i] && (g) > agreed_gen[i]))

/* The epoch manager @i takes above @known: odd for 0, even for 1. */
#ifdef SHARED_EPOCHS
#define own_epoch(i, known)	((known) + 1)
#else
#define own_epoch(i, known)	((known) + 1 + (((known) + 1 + (i) + 1) % 2))
#endif
#ifdef PERSIST_FAILS
/* Above what it claimed too: a claim may never have been granted. */
#define next_epoch(i, known)	own_epoch(i, (d_claimed[i] > (known) -> d_claimed[i] : (known)))
#else
#define next_epoch(i, known)	own_epoch(i, known)
#endif

inline demote(i)
{
	act[i] = false;
	s_hold[i] = false;
	w_hold[i] = false;
	written[i] = false;
	w_hold2[i] = false
}

inline accept_write(w, who, e, g)
{
	assert(e >= high(w));
	high(w) = e;
#ifdef ROLLBACKS
	p_holder[w] = holder[w];
	p_ep[w] = w_ep[w];
	p_gen[w] = w_gen[w];
#endif
	holder[w] = who;
	w_ep[w] = e;
	w_gen[w] = g;
	lease[w] = true
}

inline became_active(j, e)
{
	assert(owner[e] == NONE || owner[e] == j);
	/*
	 * Fencing: a resource that saw an epoch refuses older ones. Not with
	 * ROLLBACKS: a store that lost its records cannot be held to what it
	 * lost, and neither can the epochs taken through it (the known limit
	 * in Documentation/arbitration.rst).
	 */
#ifndef ROLLBACKS
	assert(e > top);
#endif
	top = e;
	owner[e] = j;
	act[j] = true
}

/* Writes @j's agreed witness to disk, or fails to (a full disk): @ok. */
inline persist(j, w, e, g, ok)
{
#ifdef PERSIST_FAILS
	if
	:: ok = true; d_agreed[j] = w; d_agreed_ep[j] = e; d_agreed_gen[j] = g
	:: ok = false
	fi
#else
	ok = true
#endif
}

/* Writes down the epoch @j claims, or fails to: @ok. */
inline persist_claim(j, e, ok)
{
#ifdef PERSIST_FAILS
	if
	:: ok = true; d_claimed[j] = e
	:: ok = false
	fi
#else
	ok = true
#endif
}

/*
 * j adopts the witness i agreed on, once it is on j's disk. (A failure
 * here only leaves j with what it had, which it wrote down before: the
 * model spares itself those states.)
 */
/*
 * @j's refusals no newer than the witness it agreed to are forgotten
 * (arbiter.c: agree() clears them with the same write): a proposal that
 * old gets neither yes nor no.
 */
inline forget_old_refusals(j)
{
	if
	:: !newer(refused_ep[j], refused_gen[j], j) -> refused_ep[j] = 0; refused_gen[j] = 0
	:: else -> skip
	fi
}

inline adopt(j, i, ok)
{
#ifdef PERSIST_FAILS
	d_agreed[j] = agreed[i]; d_agreed_ep[j] = agreed_ep[i]; d_agreed_gen[j] = agreed_gen[i];
#endif
	agreed[j] = agreed[i]; agreed_ep[j] = agreed_ep[i]; agreed_gen[j] = agreed_gen[i];
	forget_old_refusals(j)
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
	bool ok;

	for (i : 0 .. 1) {
		agreed[i] = NONE;
#ifdef PERSIST_FAILS
		d_agreed[i] = NONE;
#endif
		proposed[i] = NONE
	}
	for (w : 0 .. W - 1) {
		holder[w] = NONE;
#ifdef ROLLBACKS
		p_holder[w] = NONE
#endif
	}
	for (e : 0 .. MAXE) {
		owner[e] = NONE
	}

	do
	/* Crashes: a restart with what was written. */
	:: atomic {
		/* A restart counts as contact: a promise given before it holds. */
		select(i : 0 .. 1);
		demote(i);
#ifdef RESTART_FORGETS_MOVE
		proposed[i] = NONE;
#endif
#ifdef FORGETFUL_RESTART
		heard[i] = false;	/* the bug spin found: see model.sh */
#else
		heard[i] = true;
#endif
#ifdef PERSIST_FAILS
		agreed[i] = d_agreed[i];
		agreed_ep[i] = d_agreed_ep[i];
		agreed_gen[i] = d_agreed_gen[i];
		epoch[i] = agreed_ep[i]
#else
		epoch[i] = (epoch[i] > agreed_ep[i] -> epoch[i] : agreed_ep[i])
#endif
	   }
#ifdef RELOADS
	/* A reload changes a manager's grace-ms. */
	:: atomic { select(i : 0 .. 1); cfg_long[i] = !cfg_long[i] }
#endif
#ifdef ROLLBACKS
	/* A witness record goes back to the one before: restored from a
	 * backup, or a write the disk lost. */
	:: atomic {
		select(w : 0 .. W - 1);
		p_holder[w] != holder[w] || p_ep[w] != w_ep[w] || p_gen[w] != w_gen[w] ->
		if
#ifdef STORE_SERVES_ROLLBACK
		:: holder[w] = p_holder[w]; w_ep[w] = p_ep[w]; w_gen[w] = p_gen[w]
#else
		:: skip		/* under the running store: it writes its record back */
#endif
		:: /* with the host rebooted: nothing can tell; the store counts
		    * a lease from its start */
			holder[w] = p_holder[w]; w_ep[w] = p_ep[w]; w_gen[w] = p_gen[w];
			lease[w] = (holder[w] != NONE);
#ifndef HOLDER_SKIPS_QUARANTINE
			quar[w] = lease[w];
#endif
			w_high[w] = w_ep[w]
		fi
	   }
#endif

	/* Rule 5: an active without either hold steps down. */
	:: atomic { select(i : 0 .. 1); act[i] && !acting(i) -> demote(i) }

	/* Heartbeat i -> j. */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
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
				adopt(j, i, ok)
			:: else -> skip
			fi
		:: !act[i] && !act[j] ->
			/* Two non-actives share what they agreed; the newer wins. */
			if
			:: agreed[i] != NONE && newer(agreed_ep[i], agreed_gen[i], j) ->
				adopt(j, i, ok)
			:: else -> skip
			fi;
			if
			:: epoch[i] > epoch[j] -> epoch[j] = epoch[i]
			:: else -> skip
			fi
		:: else ->
			/* A non-active takes any newer witness named. */
			if
			:: !act[j] && agreed[i] != NONE && newer(agreed_ep[i], agreed_gen[i], j) ->
				adopt(j, i, ok)
			:: else -> skip
			fi
		fi
	   }

	/* The standby's echo reaches the active (still holding: one whose
	 * holds ran out has stepped down before it reads anything): a hold
	 * from its promise, as long as the standby says; the standby owes it
	 * until it ends. */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		acting(i) && !act[j] && epoch[j] == epoch[i] ->
		ok = true;
#if defined(PERSIST_FAILS) && !defined(STANDBY_FORGETS_CLAIM)
		/* An epoch no agreed witness holds: on its disk first (promise()). */
		if
		:: epoch[j] > d_claimed[j] && epoch[j] > d_agreed_ep[j] -> persist_claim(j, epoch[j], ok)
		:: else -> skip
		fi;
#endif
		if
		:: ok ->
			heard[j] = true;
			s_hold[i] = true;
#if defined(RELOADS) && defined(OWN_PROMISE_LENGTH)
			relied_long[i] = relied_long[i] || cfg_long[i]
#elif defined(RELOADS)
			relied_long[i] = relied_long[i] || cfg_long[j];
			owe_long[j] = owe_long[j] || cfg_long[j]
#endif
		:: else -> skip	/* no promise at an epoch it could not write down */
		fi
	   }

#ifdef PERSIST_FAILS
	/*
	 * The active takes its next epoch when the standby following it
	 * claimed one above (its heartbeats say so; arbiter.c:
	 * go_above_standbys_claim()), on disk first, while no move is
	 * offered: its holds stand, and its record on the agreed witness, at
	 * the old epoch, is renewed as before. The code does so only before
	 * a move; here at any time, which covers that.
	 */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		acting(i) && !act[j] && epoch[j] == epoch[i] && d_claimed[j] > epoch[j] &&
		proposed[i] == NONE ->
		e = next_epoch(i, epoch[i]);
		if
		:: e <= MAXE ->
			persist_claim(i, e, ok);
			if
			:: ok -> became_active(i, e); epoch[i] = e
			:: else -> skip
			fi
		:: else -> skip
		fi
	   }
#endif

	/* Timing rule 2: j declares i lost, after i's hold from j ended: j
	 * waits as long as the longest promise it owes. */
	:: atomic {
		select(j : 0 .. 1); i = 1 - j;
#if defined(RELOADS) && defined(OWN_PROMISE_LENGTH)
		/* The standby waits its present grace only. */
		if
		:: !(relied_long[i] && !cfg_long[j]) -> s_hold[i] = false; relied_long[i] = false
		:: else -> skip
		fi;
#elif defined(RELOADS)
		s_hold[i] = false;
		relied_long[i] = false;
		owe_long[j] = false;
#else
		s_hold[i] = false;
#endif
		heard[j] = false
	   }

	/* Timing rule 1: a lease runs out, after every hold from it ended. */
	:: atomic {
		select(w : 0 .. W - 1);
		lease[w] ->
		for (i : 0 .. 1) {
			if
			:: agreed[i] == w -> w_hold[i] = false
			:: else -> skip
			fi;
			if
			:: proposed[i] == w -> w_hold2[i] = false
			:: else -> skip
			fi
		}
		lease[w] = false;
#ifdef ROLLBACKS
		quar[w] = false
#endif
	   }

	/* Rule 3: the active renews its lease on the agreed witness. */
	:: atomic {
		select(i : 0 .. 1);
		acting(i) && written[i] &&
		holder[agreed[i]] == i && w_ep[agreed[i]] == agreed_ep[i] &&
		w_gen[agreed[i]] == agreed_gen[i] ->
		lease[agreed[i]] = true;
		w_hold[i] = true
	   }

	/* Rule 3, while a move is offered: its lease renewed too. */
	:: atomic {
		select(i : 0 .. 1);
		acting(i) && proposed[i] != NONE &&
		holder[proposed[i]] == i && w_ep[proposed[i]] == proposed_ep[i] &&
		w_gen[proposed[i]] == proposed_gen[i] ->
		lease[proposed[i]] = true;
		w_hold2[i] = true
	   }

	/* Rule 4: takeover through the agreed witness, by compare-and-swap;
	 * a record older than the one agreed is never used. */
	:: atomic {
		select(j : 0 .. 1); i = 1 - j;
#ifdef TAKEOVER_IN_DOUBT
		!act[j] && agreed[j] != NONE && !heard[j] ->
#else
		!act[j] && agreed[j] != NONE && !heard[j] && proposed[j] == NONE ->
#endif
		w = agreed[j];
		e = next_epoch(j, (epoch[j] > agreed_ep[j] -> epoch[j] : agreed_ep[j]));
		/* The epoch claimed is written down before it is asked for. */
#ifdef PERSIST_FAILS
		if
		:: e <= MAXE && e > d_claimed[j] -> persist_claim(j, e, ok)
		:: else -> ok = true
		fi;
#else
		ok = true;
#endif
		if
		:: ok && e <= MAXE && agreed_gen[j] < MAXG &&
		   w_ep[w] == agreed_ep[j] && w_gen[w] == agreed_gen[j] &&
		   (!lease[w] || (holder[w] == j && !quarantined(w))) ->
			accept_write(w, j, e, agreed_gen[j] + 1);
			became_active(j, e);
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
				/* Adopted once written down (a failure as in adopt()). */
#ifdef PERSIST_FAILS
				d_agreed[j] = w; d_agreed_ep[j] = w_ep[w]; d_agreed_gen[j] = w_gen[w];
#endif
				agreed_ep[j] = w_ep[w]; agreed_gen[j] = w_gen[w];
				forget_old_refusals(j);
				if
				:: w_ep[w] > epoch[j] -> epoch[j] = w_ep[w]
				:: else -> skip
				fi
			:: else -> skip
			fi
		fi
	   }

	/*
	 * Rule 1: both in contact, neither active: one claims a new epoch
	 * (written down first) and is active on the other's promise at it,
	 * which the other gives once it wrote that epoch down too. Only the
	 * preferred one (0) claims.
	 */
	:: atomic {
		i = 0; j = 1;
		!act[i] && !act[j] ->
		e = (epoch[i] > epoch[j] -> epoch[i] : epoch[j]);
		e = (agreed_ep[i] > e -> agreed_ep[i] : e);
#ifdef PERSIST_FAILS
		/*
		 * Above the peer's highest claim too: it promises nothing at
		 * or below it, and its heartbeats name it instead (arbiter.c:
		 * on_heartbeat()). spin found a claim below it, at four epochs:
		 * active at an epoch older than one active before.
		 */
		e = (d_claimed[j] > e -> d_claimed[j] : e);
#endif
		e = next_epoch(i, e);
		if
		:: e <= MAXE ->
			persist_claim(i, e, ok);
			if
			:: ok ->
				epoch[i] = e;
				epoch[j] = e;
				heard[i] = true;
				heard[j] = true;
#if defined(PERSIST_FAILS) && !defined(STANDBY_FORGETS_CLAIM)
				/* The peer writes the epoch down before it promises at it. */
				if
				:: e > d_claimed[j] -> persist_claim(j, e, ok)
				:: else -> skip
				fi;
#endif
				if
				:: ok ->
					became_active(i, e);
					s_hold[i] = true;
					w_hold[i] = false;
					written[i] = false;
#if defined(RELOADS)
					relied_long[i] = relied_long[i] || cfg_long[j];
					owe_long[j] = owe_long[j] || cfg_long[j]
#else
					skip
#endif
				:: else -> skip
				fi
			:: else -> skip
			fi
		:: else -> skip
		fi
	   }
#ifdef CLAIM_WITHOUT_PROMISE
	/* The old rule put back wrong: a claim while the peer may be active. */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		!act[i] ->
		e = next_epoch(i, (epoch[i] > epoch[j] -> epoch[i] : epoch[j]));
		if
		:: e <= MAXE -> epoch[i] = e; became_active(i, e); s_hold[i] = true
		:: else -> skip
		fi
	   }
#endif

	/*
	 * Rule 6: the active moves the witness while both agree: its record
	 * written on the new one first, then offered, and held on both leases
	 * until the peer answers.
	 */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		proposed[i] == NONE && heard[i] && !act[j] &&
		acting(i) && epoch[j] == epoch[i] && agreed_gen[i] < MAXG ->
		select(w : 0 .. W - 1);
		w != agreed[i] ->
		e = epoch[i];
		g = agreed_gen[i] + 1;
		if
		:: e >= w_ep[w] && (e > w_ep[w] || g > w_gen[w]) &&
		   (!lease[w] || (holder[w] == i && !quarantined(w))) ->
			accept_write(w, i, e, g);
			proposed[i] = w;
			proposed_ep[i] = e;
			proposed_gen[i] = g;
			w_hold2[i] = true
		:: else -> skip
		fi
	   }

	/*
	 * The proposal reaches the peer (a copy of it: it is sent until
	 * answered): a yes on its disk, or a no, final, on its disk too. A
	 * yes only from the active's epoch or a newer one than the peer knows
	 * or claimed, and never to a proposal refused, or one older than its
	 * agreed witness; a no only to one newer than that: an older one may
	 * have had its yes before, and answers nothing the proposer may act on.
	 */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		proposed[i] != NONE ->
		if
		:: !act[j] && epoch[j] <= proposed_ep[i] &&
#ifdef PERSIST_FAILS
		   d_claimed[j] <= proposed_ep[i] &&
#endif
#ifndef SOFT_NO
		   !(refused_ep[j] > proposed_ep[i] ||
		     (refused_ep[j] == proposed_ep[i] && refused_gen[j] >= proposed_gen[i])) &&
#endif
		   (newer(proposed_ep[i], proposed_gen[i], j) ||
		    (agreed[j] == proposed[i] && agreed_ep[j] == proposed_ep[i] &&
		     agreed_gen[j] == proposed_gen[i])) ->
			persist(j, proposed[i], proposed_ep[i], proposed_gen[i], ok);
			if
			:: ok -> agreed[j] = proposed[i]; agreed_ep[j] = proposed_ep[i];
				agreed_gen[j] = proposed_gen[i]; forget_old_refusals(j)
#ifdef FAILED_PERSIST_SAYS_YES
			:: !ok -> agreed[j] = proposed[i]; agreed_ep[j] = proposed_ep[i];
				agreed_gen[j] = proposed_gen[i]
#else
			:: !ok -> skip	/* no answer until it can write one down */
#endif
			fi
		:: newer(proposed_ep[i], proposed_gen[i], j) ->
			if
			:: proposed_ep[i] > refused_ep[j] ||
			   (proposed_ep[i] == refused_ep[j] && proposed_gen[i] > refused_gen[j]) ->
				refused_ep[j] = proposed_ep[i];
				refused_gen[j] = proposed_gen[i]
			:: else -> skip
			fi
		fi
	   }

	/*
	 * The answer reaches the proposer, or the peer's heartbeat does,
	 * naming the witness it agreed to: the move offered, agreed (on the
	 * proposer's disk before it counts); or a newer one, so that the peer
	 * never agrees to the move. A no settles it too.
	 */
	:: atomic {
		select(i : 0 .. 1); j = 1 - i;
		proposed[i] != NONE ->
		if
		:: agreed[j] == proposed[i] && agreed_ep[j] == proposed_ep[i] &&
		   agreed_gen[j] == proposed_gen[i] ->
			persist(i, proposed[i], proposed_ep[i], proposed_gen[i], ok);
			if
			:: ok ->
				agreed[i] = proposed[i];
				agreed_ep[i] = proposed_ep[i];
				agreed_gen[i] = proposed_gen[i];
				forget_old_refusals(i);
				w_hold[i] = w_hold2[i];
				written[i] = act[i];
				w_hold2[i] = false;
				proposed[i] = NONE
			:: else -> skip
			fi
		:: agreed[j] != NONE && (agreed_ep[j] > proposed_ep[i] ||
		   (agreed_ep[j] == proposed_ep[i] && agreed_gen[j] > proposed_gen[i])) ->
			/*
			 * A witness newer than the move, which the peer may
			 * have agreed to first, or taken over through ours: a
			 * newer epoch. No lease of ours holds any more (spin
			 * found an active back on the old witness's lease alone
			 * here). The move is let go of only with that witness
			 * on our disk as the agreed one: the one we had is
			 * free for a takeover the peer never sees (spin found
			 * two actives so, at three epochs).
			 */
			w_hold[i] = false;
			w_hold2[i] = false;
			written[i] = false;
			persist(i, agreed[j], agreed_ep[j], agreed_gen[j], ok);
			if
			:: ok ->
				agreed[i] = agreed[j]; agreed_ep[i] = agreed_ep[j];
				agreed_gen[i] = agreed_gen[j]; forget_old_refusals(i);
				proposed[i] = NONE
#ifdef SETTLED_UNWRITTEN
			:: !ok -> proposed[i] = NONE
#else
			:: !ok -> skip	/* in doubt until it is */
#endif
			fi
		:: refused_ep[j] > proposed_ep[i] ||
		   (refused_ep[j] == proposed_ep[i] && refused_gen[j] >= proposed_gen[i]) ->
			w_hold2[i] = false;
			proposed[i] = NONE
		:: agreed[j] != NONE &&
		   ((epoch[j] > proposed_ep[i]
#ifdef PERSIST_FAILS
		   /*
		    * That epoch on its disk: active at it, or promising at
		    * it. (A copy of the proposal still on its way after the
		    * move was let go of, which a restart that forgot the
		    * epoch could say yes to, is beyond the model: a proposal
		    * is delivered only while offered.)
		    */
		     && (epoch[j] <= d_claimed[j] || epoch[j] <= d_agreed_ep[j])
#endif
		    )
#ifdef PERSIST_FAILS
		    /*
		     * Or, not active, a claim on its disk above the epoch
		     * it names, which is at least the move's (its
		     * heartbeat's flag, WIRE_HEARTBEAT_CLAIMED_ABOVE; the
		     * model keeps a claim's epoch, d_claimed, with failed
		     * writes only).
		     */
		    || (!act[j] && epoch[j] >= proposed_ep[i] && d_claimed[j] > epoch[j])
#endif
		   ) &&
		   (agreed_ep[j] < proposed_ep[i] ||
		    (agreed_ep[j] == proposed_ep[i] && agreed_gen[j] < proposed_gen[i])) ->
			/*
			 * A witness older than the move, named at an epoch
			 * above it that the peer wrote down: it says no below
			 * that epoch for good, so it never agreed to the move.
			 */
			w_hold2[i] = false;
			proposed[i] = NONE
#ifdef SOFT_NO
		/* A no the peer may take back at a later copy. */
		:: !(agreed[j] == proposed[i] && agreed_ep[j] == proposed_ep[i] &&
		     agreed_gen[j] == proposed_gen[i]) ->
			w_hold2[i] = false;
			proposed[i] = NONE
#endif
		:: else -> skip
		fi
	   }
	od
}
