/* Analytics charts (Chart.js from npm, served by the console). */
(function () {
  "use strict";
  var source = document.getElementById("analytics-data");
  if (!source || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  var accent = "#0f766e";
  var accentSoft = "rgba(15, 118, 110, 0.15)";
  var amber = "#d97706";
  var slate = "#64748b";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#475467";
  Chart.defaults.maintainAspectRatio = false;

  // Days written by the server, as everywhere in the console (console/dates.py).
  var labels = data.labels;
  var integerAxis = { beginAtZero: true, ticks: { precision: 0 } };

  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { return new Chart(canvas, config); }
    return null;
  }

  chart("chart-conversations", {
    type: "line",
    data: {
      labels: labels,
      datasets: [
        { label: "Conversations", data: data.conversations, borderColor: accent, backgroundColor: accentSoft, fill: true, tension: 0.3, pointRadius: 2 },
        { label: "Bookings", data: data.bookings, borderColor: amber, backgroundColor: amber, tension: 0.3, pointRadius: 2 },
        { label: "Callbacks", data: data.handoffs, borderColor: slate, backgroundColor: slate, borderDash: [4, 3], tension: 0.3, pointRadius: 2 }
      ]
    },
    options: { scales: { y: integerAxis }, plugins: { legend: { position: "bottom" } }, interaction: { mode: "index", intersect: false } }
  });

  chart("chart-topics", {
    type: "bar",
    data: { labels: data.topics, datasets: [{ label: "Answers served", data: data.topicCounts, backgroundColor: accent, borderRadius: 4 }] },
    options: { indexAxis: "y", scales: { x: integerAxis }, plugins: { legend: { display: false } } }
  });

  chart("chart-fallback", {
    type: "line",
    data: { labels: labels, datasets: [{ label: "% not understood", data: data.fallbackRate, borderColor: amber, backgroundColor: "rgba(217, 119, 6, 0.12)", fill: true, spanGaps: true, tension: 0.3, pointRadius: 2 }] },
    options: { scales: { y: { beginAtZero: true, suggestedMax: 20, ticks: { callback: function (v) { return v + "%"; } } } }, plugins: { legend: { display: false } } }
  });

  chart("chart-funnel", {
    type: "bar",
    data: { labels: ["Conversations", "Offered a consultation", "Booked"], datasets: [{ data: data.funnel, backgroundColor: [slate, accent, amber], borderRadius: 4 }] },
    options: { scales: { y: integerAxis }, plugins: { legend: { display: false } } }
  });
})();
