// The dashboard's charts. Each <canvas data-chart="{JSON}"> is drawn from the labels and
// series in its attribute (data, never run; htmx drops script blocks from what it swaps
// in), when the page loads and again whenever htmx swaps fresh figures in. The table
// beside each chart holds the same figures in words and numbers.
import { Chart, registerables } from "chart.js";

Chart.register(...registerables);

// Dark enough to tell apart on white, and from one another (DaisyUI's light theme beside them).
const COLOURS = ["#1d4ed8", "#b91c1c", "#047857", "#a16207", "#6d28d9", "#be185d"];
const drawn = new Set();

function datasets(spec) {
  return spec.series.map((series, index) => ({
    type: series.type || spec.kind,
    label: series.label,
    data: series.values,
    yAxisID: series.axis || "y",
    backgroundColor: COLOURS[index % COLOURS.length],
    borderColor: COLOURS[index % COLOURS.length],
  }));
}

function scales(spec) {
  const found = { y: { beginAtZero: true, ticks: spec.whole ? { precision: 0 } : {} } };
  if (spec.series.some((series) => series.axis === "rate")) {
    found.rate = {
      position: "right",
      beginAtZero: true,
      grid: { drawOnChartArea: false },
      ticks: { callback: (value) => `${value}%` },
    };
  }
  return found;
}

function configOf(spec) {
  return {
    type: spec.kind,
    data: { labels: spec.labels, datasets: datasets(spec) },
    options: {
      animation: false, // redrawn on every refresh: no movement each time
      maintainAspectRatio: false,
      responsive: true,
      plugins: { legend: { display: spec.series.length > 1 } },
      scales: scales(spec),
    },
  };
}

function forget() {
  for (const chart of drawn) {
    if (!chart.canvas.isConnected) {
      chart.destroy();
      drawn.delete(chart);
    }
  }
}

function draw(root) {
  forget();
  for (const canvas of root.querySelectorAll("canvas[data-chart]")) {
    if (Chart.getChart(canvas)) continue;
    drawn.add(new Chart(canvas, configOf(JSON.parse(canvas.dataset.chart))));
  }
}

document.addEventListener("htmx:load", (event) => draw(event.detail.elt));
draw(document);
