export default function ExecutionPage() {
  return <p>Execution</p>;
}
