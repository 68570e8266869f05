"""The Ray executor: the same samples, problems and limits as the local executor, judged on the
nodes of a Ray cluster.

What runs where: the driver (the one process that writes the store) shards the samples by problem
into batches and sends them to one actor per node; each actor is a trusted nl2code process that runs
nl2code's own sandboxed worker pool on its node, exactly as the local executor does on one machine,
and returns the batch's verdicts. Ray only moves batches and verdicts: the sandbox is the same on a
cluster, and each node reports the isolation level in force there.

A node lost mid-run costs only its unfinished batches: they are sent again to the nodes left, and a
batch's verdicts are yielded once, however often it ran, so nothing is counted twice.
"""

from __future__ import annotations

import collections
import logging
import platform
import socket
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nl2code import __version__
from nl2code.errors import ConfigError, ExecutionError, MissingExtraError
from nl2code.records import Execution, Limits, Problem, Sample

log = logging.getLogger(__name__)

# A batch is whole problems' samples, at least this many per worker of the largest node, so that
# a batch keeps a node's workers busy for a while and Ray's per-call cost (a few ms) stays small.
SAMPLES_PER_WORKER = 8
MIN_BATCH = 32
IN_FLIGHT_PER_NODE = 2  # the next batch waits in the actor's queue while one runs
MAX_ATTEMPTS = 3  # a batch whose node is lost this often is a fault of its own, not of the nodes
CONNECT_TIMEOUT_S = 10
ACTOR_START_S = 300  # a node's actor and worker pool start in seconds; longer means its CPUs are taken


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise MissingExtraError("ray", "ray", "--executor ray") from exc
    return ray


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """One node's executor, as its actor reported it."""

    node_id: str
    host: str
    workers: int
    level: str
    nl2code_version: str


class NodeRunner:
    """The actor on one node (made a Ray actor class in `_start_actors`): that node's
    `LocalExecutor`, started once and fed one batch at a time."""

    def __init__(self, workers: int | None, isolation: str, preimports: Sequence[str] | None) -> None:
        from nl2code.execution.executor import LocalExecutor

        self.executor = LocalExecutor(workers=workers, isolation=isolation, preimports=preimports).__enter__()
        self.problems: Mapping[str, Problem] = {}
        self.limits: Mapping[str, Limits] = {}

    def info(self) -> NodeInfo:
        ray = import_ray()
        return NodeInfo(ray.get_runtime_context().get_node_id(), platform.node(), self.executor.workers, self.executor.level, __version__)

    def load(self, shared: tuple[Mapping[str, Problem], Mapping[str, Limits]]) -> None:
        """The problems and limits of one execute() call, sent once per node rather than with each batch."""
        self.problems, self.limits = shared

    def run(self, batch: Sequence[Sample]) -> list[Execution]:
        return list(self.executor.execute(batch, self.problems, self.limits))

    def close(self) -> None:
        self.executor.close()


@dataclass
class _Batch:
    number: int
    samples: list[Sample]
    attempts: int = 0


@dataclass
class _Node:
    actor: Any
    info: NodeInfo
    in_flight: dict[Any, _Batch] = field(default_factory=dict)  # object ref -> batch


def make_batches(samples: Iterable[Sample], size: int) -> list[_Batch]:
    """Whole problems per batch (a problem's samples share its tests, sent to a worker once),
    problems in input order, each batch at least `size` samples except the last."""
    by_problem: dict[str, list[Sample]] = collections.defaultdict(list)
    for sample in samples:
        by_problem[sample.task_id].append(sample)
    batches: list[_Batch] = []
    current: list[Sample] = []
    for group in by_problem.values():
        current.extend(group)
        if len(current) >= size:
            batches.append(_Batch(len(batches), current))
            current = []
    if current:
        batches.append(_Batch(len(batches), current))
    return batches


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def _chain(exc: BaseException | None) -> str:
    parts = []
    while exc is not None and len(parts) < 10:
        parts.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    return "\n".join(parts)


def _check_reachable(address: str | None) -> None:
    """A HOST:PORT nobody listens on fails here in seconds; Ray itself retries for about a minute."""
    if not address or address == "auto" or "://" in address or ":" not in address:
        return
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except ValueError:
        raise ConfigError(f"--ray-address {address}: not HOST:PORT (the port is not a number)") from None
    except OSError as exc:
        raise ConfigError(f"--ray-address {address}: cannot connect to a Ray cluster ({exc.strerror or exc}); "
                          "start one with `ray start --head` and pass the address it prints, or `auto` on a node of the cluster") from exc


class RayExecutor:
    """The executor contract (`nl2code.execution.executor`) on a Ray cluster: runs samples on every node of a Ray cluster. `address`: None starts a Ray instance on this
    machine, "auto" joins the one running here (or RAY_ADDRESS), "HOST:PORT" joins that cluster.
    Use as a context manager; `level` is the isolation in force (one per node in `describe()`)."""

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        *,
        workers: int | None = None,
        isolation: str = "auto",
        preimports: Sequence[str] | None = None,
        num_cpus: int | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.address = address
        self.workers = workers  # per node; None: one per core of each node
        self.isolation = isolation
        self.preimports = None if preimports is None else tuple(preimports)
        self.num_cpus = num_cpus  # only for a Ray instance started here
        self.batch_size = batch_size  # None: SAMPLES_PER_WORKER x the largest node's workers, at least MIN_BATCH
        self.rerun_batches = 0  # batches sent again after their node was lost
        self.nodes: list[_Node] = []  # the live ones
        self.infos: list[NodeInfo] = []  # every node that took part, kept after close()
        self.lost: list[NodeInfo] = []
        self.startup_seconds = 0.0
        self._ray: Any = None
        self._started_ray = False

    # -- life cycle ------------------------------------------------------------------------
    def __enter__(self) -> RayExecutor:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self.nodes:
            return
        began = time.monotonic()
        self._ray = ray = import_ray()
        self._connect(ray)
        try:
            self.nodes = self._start_actors(ray)
            self.infos = [n.info for n in self.nodes]
        except BaseException:
            self.close()
            raise
        self.startup_seconds = time.monotonic() - began
        log.info("Ray executor: %d nodes, %d workers, %s (started in %.1f s)", len(self.nodes), sum(n.info.workers for n in self.nodes), self.level, self.startup_seconds)

    def _connect(self, ray: Any) -> None:
        if ray.is_initialized():
            return
        _check_reachable(self.address)
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if self.address is None:
            options["num_cpus"] = self.num_cpus
        try:
            ray.init(address=self.address, **options)
        except (ConnectionError, TimeoutError, RuntimeError, ValueError) as exc:
            hint = ("the cluster uses token authentication: make its token available here (RAY_AUTH_TOKEN or "
                    "~/.ray/auth_token) with RAY_AUTH_MODE=token" if "InvalidAuthToken" in _chain(exc) else
                    "start one with `ray start --head` and pass its address (HOST:PORT), or `auto` on a node of the cluster")
            raise ConfigError(f"--ray-address {self.address or 'local'}: cannot connect to a Ray cluster ({_first_line(exc)}); {hint}") from exc
        self._started_ray = True

    def _start_actors(self, ray: Any) -> list[_Node]:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        actor_class = ray.remote(NodeRunner)
        actors = []
        for node in ray.nodes():
            cpus = int(node.get("Resources", {}).get("CPU", 0))
            if not node.get("Alive") or cpus < 1:
                continue
            # the actor holds a CPU of Ray's per worker of its pool (by default every CPU of the
            # node): nothing else Ray schedules competes with the samples, and runs that share a
            # cluster share it by --workers
            strategy = NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
            workers = min(self.workers or cpus, cpus)
            actors.append(actor_class.options(num_cpus=workers, scheduling_strategy=strategy, max_restarts=0).remote(workers, self.isolation, self.preimports))
        if not actors:
            raise ConfigError(f"--ray-address {self.address}: the Ray cluster has no live node with a CPU")
        nodes = self._ready_nodes(ray, actors)
        wrong = [n.info for n in nodes if n.info.nl2code_version != __version__]
        if wrong:
            raise ConfigError(f"Ray nodes {', '.join(i.host for i in wrong)} run nl2code {wrong[0].nl2code_version}, this driver {__version__}; install the same version on every node")
        return nodes

    def _ready_nodes(self, ray: Any, actors: list) -> list[_Node]:
        """The actors that started within ACTOR_START_S. One that cannot start (nl2code or a
        toolchain missing there) is an error naming it; one still waiting for its node's CPUs (held
        by other work on a shared cluster) is left out, with a warning, if others started."""
        pending = {a.info.remote(): a for a in actors}
        ready, waiting = ray.wait(list(pending), num_returns=len(pending), timeout=ACTOR_START_S)
        nodes = []
        for ref in ready:
            try:
                nodes.append(_Node(pending[ref], ray.get(ref)))
            except ray.exceptions.RayError as exc:
                raise ConfigError(f"nl2code's executor did not start on a Ray node ({_first_line(exc)}); "
                                  "every node needs the driver's nl2code version with the ray extra (see docs/scale-out.md)") from exc
        for ref in waiting:
            ray.kill(pending[ref])
        if not nodes:
            raise ConfigError(f"--ray-address {self.address}: no Ray node started nl2code's executor within {ACTOR_START_S} s "
                              "(each holds one CPU of its node per worker, --workers per node, default all: are they held by other work?)")
        if waiting:
            log.warning("%d Ray nodes did not start nl2code's executor within %d s (their CPUs busy?); running on the other %d",
                        len(waiting), ACTOR_START_S, len(nodes))
        return nodes

    def close(self) -> None:
        ray = self._ray
        if ray is None:
            return
        for node in self.nodes:
            try:
                ray.get(node.actor.close.remote(), timeout=30)
            except Exception:  # a lost node has nothing left to close
                pass
            ray.kill(node.actor)
        self.nodes = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    # -- what ran where -------------------------------------------------------------------
    @property
    def level(self) -> str:
        """The isolation in force: the nodes' common level, else the weakest-named list of them."""
        levels = sorted({i.level for i in self.infos})
        if not levels:
            return "not started"
        return levels[0] if len(levels) == 1 else "mixed: " + " | ".join(levels)

    def describe(self) -> dict:
        """For the run's record: each node's host, workers and isolation level."""
        return {
            "kind": "ray",
            "address": self.address or "local",
            "nodes": [{"host": i.host, "node_id": i.node_id, "workers": i.workers, "isolation": i.level} for i in self.infos],
            "lost_nodes": [{"host": i.host, "node_id": i.node_id} for i in self.lost],
        }

    # -- running ------------------------------------------------------------------------------
    def execute(self, samples: Iterable[Sample], problems: Mapping[str, Problem], limits: Mapping[str, Limits]) -> Iterator[Execution]:
        """Judge the samples on the cluster; yields executions batch by batch, as batches finish."""
        self.start()
        ray = self._ray
        samples = list(samples)
        present = {s.task_id for s in samples}
        shared = ray.put(({t: problems[t] for t in present}, {t: limits[t] for t in present}))
        for node in self.nodes:
            node.actor.load.remote(shared)  # ray resolves the reference on the node
        size = self.batch_size or max(MIN_BATCH, SAMPLES_PER_WORKER * max(n.info.workers for n in self.nodes))
        queue = collections.deque(make_batches(samples, size))
        done: set[int] = set()
        while queue or any(n.in_flight for n in self.nodes):
            self._submit(queue)
            refs = [ref for n in self.nodes for ref in n.in_flight]
            ready, _ = ray.wait(refs, num_returns=1)
            node = next(n for n in self.nodes if ready[0] in n.in_flight)
            batch = node.in_flight.pop(ready[0])
            try:
                executions = ray.get(ready[0])
            except (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError) as exc:
                self._lose(node, batch, queue, exc)
                continue
            except ray.exceptions.RayTaskError as exc:  # the executor on the node failed, not a sample
                raise ExecutionError(f"the executor on Ray node {node.info.host} failed: {_first_line(exc.cause or exc)}") from exc
            if batch.number in done:
                continue
            done.add(batch.number)
            yield from executions

    def _submit(self, queue: collections.deque[_Batch]) -> None:
        for node in self.nodes:
            while queue and len(node.in_flight) < IN_FLIGHT_PER_NODE:
                batch = queue.popleft()
                batch.attempts += 1
                node.in_flight[node.actor.run.remote(batch.samples)] = batch

    def _lose(self, node: _Node, batch: _Batch, queue: collections.deque[_Batch], exc: BaseException) -> None:
        """The node's actor is gone: its unfinished batches go back to the queue for the others."""
        unfinished = [batch, *node.in_flight.values()]
        node.in_flight.clear()
        self.nodes.remove(node)
        self.lost.append(node.info)
        log.warning("Ray node %s (%s) lost (%s); %d unfinished batches go to the %d nodes left",
                    node.info.host, node.info.node_id[:12], exc.__class__.__name__, len(unfinished), len(self.nodes))
        for lost in unfinished:
            if lost.attempts >= MAX_ATTEMPTS:
                raise ExecutionError(f"a batch of {len(lost.samples)} samples (first: {lost.samples[0].task_id}) lost its node {lost.attempts} times; stopping")
        if not self.nodes:
            raise ExecutionError("every Ray node was lost; the finished samples are stored, rerun the same command to resume")
        queue.extendleft(sorted(unfinished, key=lambda b: b.number, reverse=True))
        self.rerun_batches += len(unfinished)
