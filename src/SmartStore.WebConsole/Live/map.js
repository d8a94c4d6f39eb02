// The live floor map: draws the layout to scale once, then moves people and flashes bins on every frame the
// console's hub sends. Elements are created with the DOM API (never innerHTML), so names from the store are text.
"use strict";
(() => {
    const svgNs = "http://www.w3.org/2000/svg";
    const map = document.getElementById("floor-map");
    const status = document.getElementById("map-status");
    if (!map || !status) {
        return;
    }

    // What the page counts, read by the browser tests. With ?trace in the address (the map benchmark) it also keeps
    // every frame: when it arrived, each person's sighting drawn (track, device time), the floor's watermark and
    // how long drawing took; an operator's page keeps none of that.
    const tracing = new URLSearchParams(window.location.search).has("trace");
    const stats = { frames: 0, people: 0, flashes: 0, connected: false, samples: [], animationFrames: 0 };
    window.smartstoreMap = stats;
    const countAnimationFrames = () => { stats.animationFrames++; requestAnimationFrame(countAnimationFrames); };
    requestAnimationFrame(countAnimationFrames);

    const bins = new Map();
    const people = new Map();
    let layer = null;
    // The layout's y axis points north, the page's down: north is drawn at the top.
    let depth = 0;
    const fy = (y) => depth - y;
    const box = (r) => ({ x: r.x, y: fy(r.y + r.height), width: r.width, height: r.height });

    const element = (name, attributes, parent) => {
        const node = document.createElementNS(svgNs, name);
        for (const [key, value] of Object.entries(attributes)) {
            node.setAttribute(key, String(value));
        }
        parent.appendChild(node);
        return node;
    };

    const titled = (node, text) => {
        element("title", {}, node).textContent = text;
        return node;
    };

    const draw = (layout) => {
        depth = layout.depth;
        map.setAttribute("viewBox", `-0.5 -0.5 ${layout.width + 1} ${layout.depth + 1}`);
        map.setAttribute("aria-label", `${layout.name}: ${layout.width} m by ${layout.depth} m`);
        element("rect", { x: 0, y: 0, width: layout.width, height: layout.depth, class: "floor" }, map);
        for (const camera of layout.cameras) {
            titled(element("rect", { ...box(camera.sees), class: "camera-view" }, map), `camera ${camera.id}`);
        }
        for (const shelf of layout.shelves) {
            titled(element("rect", { ...box(shelf.footprint), class: "shelf" }, map), `shelf ${shelf.id}`);
            // A shelf's levels stand over the same floor area: each level is drawn as a band of its bins' depth (the
            // top level at the top), so a flash on a low level is not hidden under the level above it.
            const levels = Math.max(1, ...shelf.bins.map((b) => b.level));
            for (const bin of shelf.bins) {
                const area = box(bin.area);
                const band = area.height / levels;
                const drawn = { ...area, y: area.y + (levels - bin.level) * band, height: band };
                const node = titled(element("rect", { ...drawn, class: "bin", "data-bin": bin.id }, map), `${bin.id} (level ${bin.level}): ${bin.products}`);
                bins.set(bin.id, node);
            }
        }
        for (const gate of layout.gates) {
            titled(element("line", { x1: gate.x1, y1: fy(gate.y1), x2: gate.x2, y2: fy(gate.y2), class: `gate gate-${gate.direction}` }, map), `${gate.direction} gate ${gate.id}`);
        }
        for (const camera of layout.cameras) {
            titled(element("circle", { cx: camera.x, cy: fy(camera.y), r: 0.12, class: "camera" }, map), `camera ${camera.id}`);
        }
        layer = element("g", { class: "people" }, map);
    };

    const person = (p) => {
        let node = people.get(p.trackId);
        if (!node) {
            node = element("a", { "data-track": p.trackId }, layer);
            element("circle", { r: 0.28 }, node);
            element("text", { y: -0.38, "text-anchor": "middle" }, node);
            element("title", {}, node);
            people.set(p.trackId, node);
        }
        node.setAttribute("transform", `translate(${p.x} ${fy(p.y)})`);
        node.setAttribute("class", p.doubtful ? "person doubtful" : p.visitId ? "person" : "person unknown");
        const label = p.payerId ?? (p.doubtful ? "?" : "unknown");
        node.querySelector("text").textContent = label;
        node.querySelector("title").textContent = p.visitId ? `${label}: visit ${p.visitId}` : `track ${p.trackId}: ${p.doubtful ? "in doubt between visits" : "not admitted"}`;
        if (p.visitId) {
            node.setAttribute("href", `/visits/${encodeURIComponent(p.visitId)}`);
            node.setAttribute("data-visit", p.visitId);
        } else {
            node.removeAttribute("href");
            node.removeAttribute("data-visit");
        }
    };

    const flash = (f) => {
        const bin = bins.get(f.binId);
        if (!bin) {
            return;
        }
        const kind = f.kind === "pick" ? "flash-pick" : "flash-put-back";
        bin.classList.remove("flash-pick", "flash-put-back");
        bin.classList.add(kind);
        bin.setAttribute("data-last-change", `${f.kind} ${f.units} ${f.sku} (${f.visitId})`);
        stats.flashes++;
        setTimeout(() => bin.classList.remove(kind), 3000);
    };

    const onFrame = (frame) => {
        if (!layer) {
            return;
        }
        const began = performance.now();
        const seen = new Set();
        for (const p of frame.people) {
            person(p);
            seen.add(p.trackId);
        }
        for (const [track, node] of people) {
            if (!seen.has(track)) {
                node.remove();
                people.delete(track);
            }
        }
        frame.flashes.forEach(flash);
        stats.frames++;
        stats.people = frame.people.length;
        status.textContent = `${frame.visitsInside} visits inside · ${frame.people.length} people seen · floor clock ${new Date(frame.watermarkMs).toISOString().substring(11, 19)} UTC`;
        if (tracing && stats.samples.length < 50000) {
            stats.samples.push({ at: Date.now(), seen: frame.people.map((p) => [p.trackId, p.seenMs]), watermarkMs: frame.watermarkMs, drawMs: performance.now() - began, animationFrames: stats.animationFrames });
        }
    };

    const connection = new signalR.HubConnectionBuilder().withUrl("/hubs/floor").withAutomaticReconnect().build();
    connection.on("frame", onFrame);
    connection.onreconnecting(() => { stats.connected = false; status.textContent = "reconnecting to the store…"; });
    connection.onreconnected(() => { stats.connected = true; });
    connection.start()
        .then(() => connection.invoke("Layout"))
        .then((layout) => {
            if (!layout) {
                status.textContent = "this console is not connected to a store";
                return;
            }
            draw(layout);
            stats.connected = true;
        })
        .catch((error) => { status.textContent = `the live map could not connect: ${error}`; });
})();
